"""Demo data of the annual report (seed_demo, order 20): the 2024 template, RSN's 2024 report complete and
validated (committee of 12 March 2025), RSK's 2024 report partially filled with two chapters assigned to
its local coordinator. Invented but realistic French answers. Idempotent: a second run changes nothing."""
import datetime as dt
import random
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from psynet.models import Network, User

from . import services
from .models import AnnualReport, Answer, Status

TEMPLATE_FILE = Path(__file__).resolve().parent / "report_templates" / "2024.yaml"
COMMITTEE_DATE = dt.date(2025, 3, 12)

POOLS = {
    "governance": [
        "La convention est pilotée par le comité de réseau, qui se réunit tous les deux mois et rassemble les "
        "représentants des services de santé mentale, des hôpitaux, des maisons médicales et des psychologues "
        "conventionnés.",
        "Un groupe de travail « première ligne » prépare les décisions du comité et suit les indicateurs "
        "trimestriels d'activité.",
        "Les psychologues et orthopédagogues disposent de deux sièges au comité de réseau, désignés lors d'une "
        "assemblée annuelle ouverte à tous les prestataires conventionnés.",
        "Une association de patients et une association de proches participent aux réunions du groupe de "
        "travail et ont relu les supports de communication destinés au public.",
        "La collaboration avec l'hôpital percepteur s'est structurée autour d'une réunion mensuelle consacrée "
        "à la facturation et au suivi budgétaire.",
        "L'hôpital disposant d'un accord B4 met à disposition un espace de réunion et soutient la coordination "
        "administrative du réseau.",
        "Des intervisions multidisciplinaires réunissent chaque trimestre psychologues, médecins généralistes "
        "et travailleurs sociaux autour de situations anonymisées.",
        "Les communes de la province ont été rencontrées afin d'identifier des lieux d'accroche et de "
        "coordonner l'offre avec les plans de cohésion sociale.",
        "La multiplicité des niveaux de pouvoir complique parfois la lisibilité de l'offre pour les partenaires "
        "locaux, en particulier dans les communes rurales.",
        "Le soutien du SPF et de l'INAMI a été apprécié pour la clarté des instructions de facturation, même si "
        "certaines modifications en cours d'année ont demandé des adaptations rapides.",
    ],
    "network_missions": [
        "La vision du réseau repose sur une offre de soins accessible, proche des lieux de vie et articulée avec "
        "les services spécialisés.",
        "Nous avons actualisé la cartographie de l'offre en santé mentale de la province et l'avons partagée "
        "avec les partenaires de la première ligne.",
        "Une démarche qualité a été lancée avec un questionnaire de satisfaction proposé aux bénéficiaires à la "
        "fin de leur parcours.",
        "Les psychologues conventionnés participent à des intervisions trimestrielles et à deux journées de "
        "formation par an organisées par le réseau.",
        "Les données d'activité sont analysées chaque trimestre afin d'ajuster la répartition des heures entre "
        "les zones Namur Ouest et Namur Est.",
        "Les situations complexes sont orientées vers les équipes mobiles ou les services de santé mentale selon "
        "des critères partagés.",
        "Un référentiel de bonnes pratiques pour les interventions communautaires a été rédigé avec les "
        "psychologues de terrain.",
        "La culture de qualité passe aussi par la remontée systématique des incidents et leur discussion en "
        "groupe de travail.",
    ],
    "target_groups": [
        "Les lieux d'accroche ont été développés dans les maisons médicales, les CPAS et les écoles "
        "secondaires, en concertation avec les directions.",
        "Les médecins généralistes orientent une part importante des bénéficiaires ; une permanence "
        "téléphonique leur permet de joindre un psychologue référent.",
        "Les CPMS et les écoles ont accueilli des ateliers de gestion du stress et des permanences "
        "hebdomadaires dans douze établissements.",
        "La collaboration avec l'aide à la jeunesse s'est structurée autour de deux AMO qui accueillent des "
        "consultations en leurs locaux.",
        "Les bénéficiaires sont majoritairement des adultes de 25 à 54 ans, avec une présence croissante de "
        "jeunes adultes en situation de précarité.",
        "Les délais d'attente moyens ont diminué de trois semaines grâce à une meilleure répartition "
        "géographique des prestataires.",
        "Un partenariat avec l'établissement pénitentiaire de la Citadelle a permis d'organiser des "
        "consultations individuelles pour les personnes détenues.",
        "Le trajet de soins pour les troubles alimentaires s'appuie sur une concertation entre le psychologue, "
        "le médecin traitant et la diététicienne.",
        "Les personnes âgées restent difficiles à atteindre ; des contacts ont été pris avec les services "
        "d'aide à domicile et les résidences.",
    ],
    "providers": [
        "Le réseau compte une soixantaine de psychologues et orthopédagogues conventionnés, répartis sur les "
        "deux zones.",
        "Le recrutement reste difficile dans le sud de la province, où peu de prestataires acceptent de se "
        "déplacer dans les lieux d'accroche.",
        "Une séance d'accueil présente aux nouveaux prestataires la convention, la facturation et les "
        "partenaires locaux.",
        "Les prestataires salariés par une organisation partenaire facilitent l'ancrage dans les lieux "
        "d'accroche.",
        "Des intervisions régulières soutiennent la qualité des interventions et limitent l'isolement des "
        "indépendants.",
        "La charge administrative est régulièrement citée comme un frein par les prestataires indépendants.",
        "Une liste actualisée des prestataires, avec leurs langues et leurs spécialités, est disponible pour "
        "les médecins généralistes.",
        "Quelques prestataires ont mis fin à leur convention pour des raisons de charge de travail, compensées "
        "par de nouveaux recrutements.",
    ],
    "services": [
        "Des séances de groupe ont été organisées autour de la gestion de l'anxiété, du deuil et de la "
        "parentalité.",
        "Les groupes comptent en moyenne huit participants et se déroulent sur six séances.",
        "Les heures de l'article 8 ont servi à soutenir les équipes des CPAS et des maisons médicales par des "
        "concertations et des formations courtes.",
        "Les interventions communautaires ont touché des publics qui ne seraient pas venus en consultation "
        "individuelle.",
        "Le suivi des heures de l'article 8 se fait dans le portail, ce qui facilite le rapportage trimestriel.",
        "La demande de séances de groupe dépasse l'offre dans la zone Namur Est, où un second cycle est prévu.",
        "Les partenaires soulignent l'intérêt des interventions de soutien aux professionnels de première "
        "ligne.",
    ],
    "finance_billing": [
        "Les frais de fonctionnement couvrent la coordination, la communication et la formation des "
        "prestataires.",
        "Le budget de soins a été utilisé à hauteur de 94 %, avec une accélération au dernier trimestre.",
        "La facturation via l'application Mental Health fonctionne de manière satisfaisante après une période "
        "d'adaptation.",
        "Les tableaux de bord permettent de suivre mensuellement l'utilisation du budget par zone et par "
        "fonction.",
        "Des erreurs d'encodage ont été corrigées en collaboration avec l'hôpital percepteur.",
        "Le délai de paiement des prestataires est en moyenne de cinq semaines.",
        "Une réserve a été constituée pour absorber l'augmentation attendue des séances en fin d'année.",
    ],
    "communication": [
        "Le plan de communication 2025 prévoit une campagne auprès des médecins généralistes et des "
        "pharmaciens.",
        "Des affiches et dépliants seront diffusés dans les CPAS, les maisons médicales et les écoles.",
        "Le site internet du réseau sera enrichi d'une carte des lieux d'accroche.",
        "Une lettre d'information trimestrielle sera envoyée aux partenaires et aux prestataires.",
        "Des séances d'information seront organisées dans les communes rurales avec les plans de cohésion "
        "sociale.",
        "La communication vers les jeunes passera par les réseaux sociaux et les services étudiants.",
    ],
    "final_remarks": [
        "Le réseau souhaite souligner l'engagement des prestataires et des partenaires tout au long de l'année.",
        "La stabilité du cadre conventionnel est essentielle pour consolider les collaborations locales.",
        "Les moyens consacrés à la coordination restent limités au regard des missions confiées au réseau.",
        "Nous plaidons pour une simplification des procédures administratives des prestataires.",
    ],
}
LESSONS = {
    "success_factors": ["La proximité des lieux d'accroche et la confiance construite avec les partenaires "
                        "locaux ont été déterminantes.",
                        "La disponibilité d'un psychologue référent pour les médecins généralistes a facilité les "
                        "orientations."],
    "difficulties": ["La charge administrative et le recrutement de prestataires dans les zones rurales restent "
                     "les principales difficultés.",
                     "Les changements de règles en cours d'année ont demandé des adaptations rapides."],
    "attention_points": ["Il faudra veiller à l'équilibre de l'offre entre les deux zones et à l'accès des "
                         "publics précarisés.",
                         "La continuité des partenariats dépend de la stabilité des financements."],
    "support_needs": ["Un soutien fédéral pour simplifier la facturation et un appui régional pour les lieux "
                      "d'accroche seraient utiles.",
                      "Les communes pourraient faciliter l'accès à des locaux adaptés."],
    "other_recommendation": ["Prévoir un calendrier de rapportage stable d'une année à l'autre.",
                             "Partager davantage les bonnes pratiques entre réseaux."],
}
COMMUNICATION_ROWS = [
    {"communication": "Campagne d'information « Parler, ça aide »", "target_group": "Grand public",
     "method": "Affiches, dépliants, site internet", "goal": "Faire connaître l'offre de soins psychologiques"},
    {"communication": "Soirées d'information", "target_group": "Médecins généralistes",
     "method": "Rencontres en soirée dans chaque zone", "goal": "Faciliter les orientations"},
    {"communication": "Lettre d'information trimestrielle", "target_group": "Partenaires et prestataires",
     "method": "Courriel", "goal": "Informer des nouveautés et des lieux d'accroche"},
    {"communication": "Présence sur les réseaux sociaux", "target_group": "Jeunes adultes",
     "method": "Publications hebdomadaires", "goal": "Toucher un public qui consulte peu"},
]


def answer_text(question, network_code):
    """A French answer of 60–150 words, the same at every run for the same question and network."""
    rng = random.Random(f"{network_code}:{question.code}")
    if question.is_lessons_learned:
        prompt = question.code.split("_ll_", 1)[1]
        base = list(LESSONS.get(prompt, LESSONS["other_recommendation"]))
        pool = base + rng.sample(POOLS.get(question.chapter_code, POOLS["final_remarks"]), 3)
    else:
        pool = rng.sample(POOLS.get(question.chapter_code, POOLS["final_remarks"]),
                          min(6, len(POOLS.get(question.chapter_code, POOLS["final_remarks"]))))
    words, sentences = 0, []
    for sentence in pool:
        sentences.append(sentence)
        words += len(sentence.split())
        if words >= 60 + rng.randint(0, 50):
            break
    text = " ".join(sentences[:3]) + ("\n\n" + " ".join(sentences[3:]) if len(sentences) > 3 else "")
    return text


def demo_value(question, network_code):
    if question.kind == "table":
        return COMMUNICATION_ROWS
    if question.kind == "number":
        return {"target_eating_disorders_d": 14, "target_eating_disorders_e": 9}.get(question.code, 5)
    if question.code == "final_committee_discussion":
        return ("Le rapport a été présenté au comité de réseau lors de sa réunion du 12 mars 2025. Les membres "
                "ont reçu le projet une semaine avant la réunion et ont transmis leurs remarques par écrit. "
                "Après discussion des chapitres consacrés aux publics cibles et au budget, le comité a validé "
                "le rapport à l'unanimité, sous réserve de précisions apportées au chapitre sur la "
                "communication, intégrées depuis.")
    return answer_text(question, network_code)


def _fill(report, by, questions):
    existing = set(report.answers.values_list("question_code", flat=True))
    for q in questions:
        if q.code not in existing:
            services.answer_save(report=report, question_code=q.code, value=demo_value(q, report.network.code),
                                 expected_version=0, by=by)


def _user(email):
    return User.objects.filter(email=email).first()


@transaction.atomic
def build(stdout=None):
    definition = yaml.safe_load(TEMPLATE_FILE.read_text(encoding="utf-8"))
    template, outcome = services.template_load(definition=definition)
    if stdout:
        stdout.write(f"annual report template 2024: {outcome}")
    rsn, rsk = Network.objects.filter(code="RSN").first(), Network.objects.filter(code="RSK").first()
    if rsn:
        coordinator, committee = _user("coordinator@rsn.example"), _user("committee@rsn.example")
        report = AnnualReport.objects.filter(network=rsn, year=2024).first() or services.report_create(
            network=rsn, year=2024, by=coordinator)
        if report.status in (Status.DRAFT, Status.CHANGES_REQUESTED):
            _fill(report, coordinator, template.structure.questions.values())
            services.report_submit(report=report, by=coordinator)
        report.refresh_from_db()
        if report.status == Status.SUBMITTED:
            services.report_validate(report=report, committee_date=COMMITTEE_DATE, by=committee)
            # Demo only: recorded as validated on the evening of the committee meeting, not on the day of seeding.
            evening = timezone.make_aware(dt.datetime.combine(COMMITTEE_DATE, dt.time(18, 30)))
            AnnualReport.objects.filter(pk=report.pk).update(validated_at=evening)
    if rsk:
        coordinator, local = _user("coordinator@rsk.example"), _user("local@rsk.example")
        report = AnnualReport.objects.filter(network=rsk, year=2024).first() or services.report_create(
            network=rsk, year=2024, by=coordinator)
        if report.status == Status.DRAFT and not Answer.objects.filter(report=report).exists():
            structure = report.template.structure
            partial = [q for c in structure.chapters[:3] for q in c.questions
                       if not q.is_lessons_learned and not q.if_relevant][:14]
            _fill(report, coordinator, partial)
            if local:
                services.chapter_assign(report=report, chapter_code="providers", assignee=local,
                                        due_on=dt.date(2025, 2, 14), by=coordinator)
                services.chapter_assign(report=report, chapter_code="services", assignee=local,
                                        due_on=dt.date(2025, 2, 28), by=coordinator)
