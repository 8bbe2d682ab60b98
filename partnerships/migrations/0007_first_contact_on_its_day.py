"""A first contact counts from the day it took place (the date the coordinator gave), no longer from the moment it
was written into the portal: requests already contacted take the date of their first recorded contact when it is
earlier. Frozen figures (validated reports) keep what they froze."""
import datetime as dt

from django.db import migrations
from django.utils import timezone


def first_contact_day(apps, schema_editor):
    Request = apps.get_model("partnerships", "CollaborationRequest")
    Event = apps.get_model("partnerships", "RequestEvent")
    first = {}
    for request_id, day in (Event.objects.filter(kind="contact", contact_on__isnull=False)
                            .order_by("request_id", "contact_on").values_list("request_id", "contact_on")):
        first.setdefault(request_id, day)
    for request in Request.objects.filter(pk__in=list(first), contacted_at__isnull=False).only("pk", "contacted_at"):
        day = first[request.pk]
        if day < timezone.localtime(request.contacted_at).date():
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
            Request.objects.filter(pk=request.pk).update(contacted_at=moment)


class Migration(migrations.Migration):

    dependencies = [("partnerships", "0006_triage_index")]

    operations = [migrations.RunPython(first_contact_day, migrations.RunPython.noop)]
