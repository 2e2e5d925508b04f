from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.models import AdministrativeUnit, OnlineLevel
from procedures.selectors import CatalogueFacets, CatalogueFilters


class CatalogueSearchForm(forms.Form):
    """The filters of the public catalogue, shared by the page and the API."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False, strip=True)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    level = forms.ChoiceField(label=_("Deciding level"), required=False)
    online_level = forms.ChoiceField(label=_("Online service"), required=False)
    agency = forms.ChoiceField(label=_("Agency"), required=False)

    def __init__(self, *args, facets: CatalogueFacets, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("All"))]
        cast(forms.ChoiceField, self.fields["sector"]).choices = anything + [
            (code, f"{name} ({count})") for code, name, count in facets.sectors
        ]
        # Districts were abolished on 2025-07-01: offer only levels that have procedures.
        labels = dict(AdministrativeUnit.Level.choices)
        cast(forms.ChoiceField, self.fields["level"]).choices = anything + [
            (level, labels[level]) for level in facets.levels
        ]
        cast(forms.ChoiceField, self.fields["online_level"]).choices = (
            anything + OnlineLevel.choices
        )
        cast(forms.ChoiceField, self.fields["agency"]).choices = [
            *anything,
            (_("Provincial agencies"), facets.provincial_agencies),
            (_("Commune People's Committees"), facets.commune_agencies),
        ]

    def filters(self) -> CatalogueFilters:
        data = self.cleaned_data
        return CatalogueFilters(
            query=data.get("q", ""),
            sector=data.get("sector", ""),
            level=data.get("level", ""),
            online_level=data.get("online_level", ""),
            agency=data.get("agency", ""),
        )
