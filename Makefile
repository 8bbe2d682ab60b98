# PsyNet – the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo messages bench services integration clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

locale/fr/LC_MESSAGES/django.mo locale/nl/LC_MESSAGES/django.mo: locale/fr/LC_MESSAGES/django.po locale/nl/LC_MESSAGES/django.po $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v0

messages: $(STAMP)  ## refresh the French and Dutch catalogues after changing texts
	$(PY) manage.py makemessages -l fr -l nl --no-location --ignore=.venv --ignore=staticfiles --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv -v0

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput -v0

demo: migrate locale/fr/LC_MESSAGES/django.mo
	$(PY) manage.py seed_demo

run: demo  ## SQLite, eager Celery, e-mails on the console
	@echo "PsyNet: http://127.0.0.1:$(PORT)/"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP) locale/fr/LC_MESSAGES/django.mo  ## the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	$(PY) manage.py check -v0
	$(PY) -m pytest

services:  ## make PostgreSQL and Redis answer on 127.0.0.1 (starts them if needed)
	bash .ci/services.sh

bench: $(STAMP) services
	bash benchmarks/run.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles private_media
