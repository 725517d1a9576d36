"""Admin widgets that screen readers can name (issue 18: no axe violations in the admin).

Django's admin puts some widgets in a <fieldset> whose <legend> is the field's label
(`use_fieldset = True`), which leaves a widget made of ONE control with no label of its own:
the file input of an upload, the select of the two-box filter. These render the field's
<label for=...> instead, as an ordinary input does.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminFileWidget


class LabelledAdminFileWidget(AdminFileWidget):
    """The admin's upload (current file, "Clear" box, new file), the field's label naming the
    file input. The "Clear" box keeps its own label."""

    use_fieldset = False


class LabelledCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Ticks in a fieldset named by the field's label, each tick labelled by its choice: the
    plain replacement for the two-box filter (filter_horizontal), whose selects have no name."""

    use_fieldset = True


def name_each_row(form: forms.ModelForm, field_name: str, label: str) -> None:
    """Give an editable cell of a changelist row (list_editable) a name that says which row
    it edits: "Position of Leadership". The column heading is no label for the input."""
    field = form.fields.get(field_name)
    if field is not None and form.instance.pk:
        field.widget.attrs["aria-label"] = f"{label} of {form.instance}"
