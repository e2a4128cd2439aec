"""factory_boy factories shared by the test suite."""

import factory

from ruhui.accounts.models import Role, User
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.models import Organization

PASSWORD = "Test-password-2026"


class OrganizationFactory(factory.django.DjangoModelFactory):
    """Builds a node; pass `parent=` to place it in the tree (treebeard needs add_child)."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试工会{n}")
    code = factory.Sequence(lambda n: f"T{n:05d}")
    kind = OrgKind.ENTERPRISE
    division_code = "410402"

    @classmethod
    def _create(cls, model_class, *args, parent=None, groups=(), **kwargs):
        org = model_class(*args, **kwargs)
        manager = model_class.objects
        org = (
            manager.add_root(instance=org)
            if parent is None
            else manager.add_child(parent, instance=org)
        )
        if groups:
            org.groups.set(groups)
        return model_class.objects.get(pk=org.pk)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"干部{n}")
    role = Role.ADMIN
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
