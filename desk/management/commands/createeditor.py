"""`manage.py createeditor NAME --role contributor|editor|administrator`: a desk account.

The password is taken from COLOPHON_PASSWORD when set (for scripts), else made up and
printed once, for the person to change at their first sign-in. Run again for an
existing account, it changes the role only (and the password only when
COLOPHON_PASSWORD is set).
"""

import os
import secrets

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from desk.roles import ROLE_NAMES, sync_roles

PASSWORD_VARIABLE = "COLOPHON_PASSWORD"


class Command(BaseCommand):
    help = "Create a desk account (or change its role): contributor, editor or administrator."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_NAMES))
        parser.add_argument("--email", default="")

    @transaction.atomic
    def handle(self, *args, username, role, email, **options):
        User = get_user_model()
        sync_roles()
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username, email=email)
        elif email:
            user.email = email
        user.is_staff = True
        demoted = user.is_superuser
        user.is_superuser = False  # the role is all they may do
        given = os.environ.get(PASSWORD_VARIABLE)
        made_up = None
        if given:
            try:
                password_validation.validate_password(given, user)
            except ValidationError as error:
                raise CommandError(f"{PASSWORD_VARIABLE}: " + " ".join(error.messages)) from None
            user.set_password(given)
        elif created:
            made_up = secrets.token_urlsafe(12)
            user.set_password(made_up)
        user.save()
        user.groups.remove(*Group.objects.filter(name__in=ROLE_NAMES.values()))
        user.groups.add(Group.objects.get(name=ROLE_NAMES[role]))

        what = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{what} {role} “{username}”."))
        if demoted:
            self.stdout.write(f"“{username}” was a superuser and is now only a {role}.")
        if made_up:
            self.stdout.write(
                f"Password (shown once; they change it under “Change password” after "
                f"signing in): {made_up}"
            )
        elif given:
            self.stdout.write(f"Password set from {PASSWORD_VARIABLE}.")
