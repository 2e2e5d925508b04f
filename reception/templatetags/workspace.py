from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def described(field: BoundField) -> str:
    """The widget with its help text and errors linked (aria-describedby, aria-invalid), so
    a screen reader reads the reason with the field."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-help")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def workspace_roles(context) -> set[str]:
    """The officer roles of the signed-in user, for the workspace menu: those of the
    officer's cached scopes (once per request, no query on a warm cache)."""
    from procedures.selectors import officer_scopes

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return set()
    return {str(role) for role in officer_scopes(user)}
