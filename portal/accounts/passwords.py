"""Password rules with messages Vietnamese can translate: Django 5.2 changed the msgid of
the minimum-length message and its Vietnamese catalogue still has the old one."""

from django.contrib.auth import password_validation
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return gettext("This password is too short: use at least %(min_length)s characters.") % {
            "min_length": self.min_length
        }

    def get_help_text(self) -> str:
        return gettext("Your password must contain at least %(min_length)s characters.") % {
            "min_length": self.min_length
        }
