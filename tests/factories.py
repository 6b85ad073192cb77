"""factory_boy factories for the domain models. Defaults make a valid, filed request."""

import uuid

import factory
from django.utils import timezone

from citizens.models import Citizen, Organisation, Representation
from forms_builder.models import FormVersion, Procedure
from gru.models import Membership, Team, User
from service_requests.identifiers import new_reference, new_tracking_token
from service_requests.models import Event, Interaction, Message, ServiceRequest, Status


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Camille"
    last_name = "Martin"
    password = factory.PostGenerationMethodCall("set_password", "mot-de-passe-de-test")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Service n°{n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    email = factory.LazyAttribute(lambda o: f"{o.slug}@ville-demo.invalid")
    phone = "01 23 45 67 89"
    postal_address = "1 place de la Mairie, 00000 Démo"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Membership.Role.INSTRUCTOR


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citizen

    given_names = "Hélène"
    family_name = factory.Sequence(lambda n: f"Lefèvre-{n}")
    email = factory.Sequence(lambda n: f"usager{n}@exemple.fr")
    postcode = "75011"
    city = "Paris"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.ASSOCIATION
    name = factory.Sequence(lambda n: f"Association des amis n°{n}")
    rna = factory.Sequence(lambda n: f"W{n:09d}")


class RepresentationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representation

    citizen = factory.SubFactory(CitizenFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Representation.Role.LEGAL_REPRESENTATIVE


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    slug = factory.Sequence(lambda n: f"demarche-{n}")
    title = factory.Sequence(lambda n: f"Démarche n°{n}")
    summary = "Une démarche de test."
    category = "Vie quotidienne"
    audiences = factory.LazyFunction(lambda: ["individuals"])
    kind = Procedure.Kind.DECISION
    silence_rule = "acceptance"
    silence_delay = "P2M"
    default_team = factory.SubFactory(TeamFactory)
    is_published = True


class FormVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormVersion

    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.Sequence(lambda n: n + 1)
    schema = factory.LazyFunction(lambda: {"pages": []})
    silence_rule = factory.SelfAttribute("procedure.silence_rule")
    silence_delay = factory.SelfAttribute("procedure.silence_delay")
    published_at = factory.LazyFunction(timezone.now)


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRequest

    reference = factory.LazyFunction(new_reference)
    tracking_token = factory.LazyFunction(new_tracking_token)
    idempotency_key = factory.LazyFunction(uuid.uuid4)
    form_version = factory.SubFactory(FormVersionFactory)
    procedure = factory.SelfAttribute("form_version.procedure")
    team = factory.SelfAttribute("procedure.default_team")
    contact_email = "contact@exemple.fr"
    status = Status.SUBMITTED
    received_on = factory.LazyFunction(timezone.localdate)
    submitted_at = factory.LazyFunction(timezone.now)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    request = factory.SubFactory(ServiceRequestFactory)
    kind = Event.Kind.SUBMITTED
    visibility = Event.Visibility.CITIZEN


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    request = factory.SubFactory(ServiceRequestFactory)
    direction = Message.Direction.FROM_CITIZEN
    body = "Bonjour, où en est ma demande ?"


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    citizen = factory.SubFactory(CitizenFactory)
    channel = "phone"
    direction = Interaction.Direction.INBOUND
    occurred_at = factory.LazyFunction(timezone.now)
    summary = "Appel pour connaître l'avancement d'une demande."
