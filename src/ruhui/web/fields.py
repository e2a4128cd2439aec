"""Form fields shared by the feature pages.

`CountField`: a count of people, unions or enterprises, typed as people type it — 3500, 3,500,
3，500, ３５００, 3 500, 3500人 — read by `ruhui.core.counts.parse_count` (its docstring has the
rules). The input is a text box with ``inputmode="numeric"`` (a phone shows the digit keypad),
not ``type="number"``, which would refuse the comma; what was typed is shown again unchanged
when the form comes back with an error."""

from django import forms

from ruhui.core.counts import MAX_COUNT, CountError, parse_count


class CountInput(forms.TextInput):
    """A text box for a count: the numeric keypad, no autocomplete, no spell check."""

    def __init__(self, attrs=None):
        base = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        super().__init__({**base, **(attrs or {})})


class CountField(forms.IntegerField):
    """A non-negative whole number typed as people type it; None when left blank.

    `unit` is the one word that may follow the number (人 for people, 个 for unions, None for
    none); `max_value` the largest accepted (a PositiveIntegerField's by default). Every refusal
    is one Chinese message that names the field (its label), repeats what was typed and shows
    how to write it, e.g. 「新增任务数「3.5」应为整数，不带小数点，如 3500 或 3,500。」"""

    widget = CountInput

    def __init__(self, *, unit: str | None = "人", max_value: int = MAX_COUNT, **kwargs):
        kwargs.pop("min_value", None)  # always 0 (a model's PositiveIntegerField passes it)
        kwargs.pop("step_size", None)
        self.unit = unit
        super().__init__(min_value=0, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_count(value, label=self.label, unit=self.unit, maximum=self.max_value)
        except CountError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
