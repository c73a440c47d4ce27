"""Template helpers for the `nhsuk` crispy-forms template pack and the NHS.UK includes.

The pack's templates stay declarative: everything that needs Python (which nhsuk component a widget
becomes, ids for hints and errors, aria-describedby, the widget HTML with nhsuk classes) is worked out
here once, in `nhsuk_field`, so every template renders the same ids the error summary links to.
"""

import re
from html import unescape

from django import forms, template
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.widgets import DATE_PARTS, NHSDateInput, date_parts_in_error, drawn
from web.markup import escaped, localized

register = template.Library()

# Widget class -> (nhsuk kind, CSS class for the control, CSS class added when in error).
_CONTROL_CLASSES = {
    "input": ("nhsuk-input", "nhsuk-input--error"),
    "textarea": ("nhsuk-textarea", "nhsuk-textarea--error"),
    "select": ("nhsuk-select", "nhsuk-select--error"),
    "file": ("nhsuk-file-upload__input", ""),
}
TAG_COLOURS = {"white", "grey", "green", "aqua-green", "blue", "purple", "pink", "red", "orange", "yellow"}
_DATE_WIDTHS = {"day": "nhsuk-input--width-2", "month": "nhsuk-input--width-2", "year": "nhsuk-input--width-4"}
# Attributes the pack writes itself on date boxes; anything else on the sub-widgets is passed through.
_DATE_OWN_ATTRS = {"class", "id", "name", "type", "value", "inputmode", "required", "aria-describedby", "aria-invalid"}


def _kind(bound_field) -> str:
    widget = bound_field.field.widget
    if bound_field.is_hidden:
        return "hidden"
    if isinstance(widget, NHSDateInput):
        return "date"
    # CheckboxSelectMultiple subclasses RadioSelect, so it is tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


@register.filter
def nhsuk_kind(bound_field) -> str:
    """Which nhsuk component a form field becomes: input, textarea, select, radios, checkboxes, checkbox,
    date, file or hidden."""
    return _kind(bound_field)


@register.filter
def is_date_input(bound_field) -> bool:
    """True for fields using NHSDateInput (rendered as the nhsuk date-input component)."""
    return _kind(bound_field) == "date"


@register.filter
def add_class(bound_field, css_class: str):
    """Render a field's widget with extra CSS classes, keeping the widget's own: `{{ form.x|add_class:"a" }}`."""
    widget = bound_field.field.widget
    classes = " ".join(c for c in (widget.attrs.get("class", ""), css_class) if c)
    return bound_field.as_widget(attrs={"class": classes})


def _base_id(bound_field) -> str:
    return bound_field.field.widget.attrs.get("id") or bound_field.auto_id or ""


def _field_error_href(bound_field) -> str:
    """The element an error summary link should move focus to: the first box of a date (or the first
    one in error), the first radio or checkbox, otherwise the control itself."""
    base_id = _base_id(bound_field)
    if not base_id:
        return ""
    if _kind(bound_field) == "date":
        wrong = date_parts_in_error(bound_field.errors)
        first = next((part for part in DATE_PARTS if part in wrong), "day")
        return f"#{base_id}_{first}"
    return f"#{base_id}"


def _label_text(bound_field, kind: str) -> str:
    label = str(bound_field.label or "")
    # NHS style: mark optional questions, not required ones. A lone checkbox is optional by nature. A field the
    # form lets you leave empty but something else needs (`needed_for`: this service's criteria, one decision)
    # is not "optional": its hint says when it is needed.
    field = bound_field.field
    needed_when = getattr(field, "needed_when", "")
    if label and needed_when:  # "Reason for declining – needed if you decline"
        return f"{label} – needed {needed_when}"
    if label and not field.required and kind != "checkbox" and not getattr(field, "needed_for", ""):
        label = f"{label} (optional)"
    return label


def _choice_items(bound_field, base_id: str) -> list[dict]:
    """One dict per radio or checkbox. A field may carry `choice_hints` ({value: hint}) and `reveals`
    ({value: [names of other fields in the form]}, the NHS.UK conditional reveal: shown under that option, hidden
    by nhsuk-frontend's JavaScript until it is chosen, always shown without JavaScript)."""
    hints = getattr(bound_field.field, "choice_hints", {}) or {}
    reveals = getattr(bound_field.field, "reveals", {}) or {}
    items = []
    for index, subwidget in enumerate(bound_field.subwidgets):
        data = subwidget.data
        attrs = data.get("attrs") or {}
        value = "" if data["value"] is None else str(data["value"])
        # nhsuk convention: the first item has the plain id, so `#id_<field>` reaches it.
        item_id = base_id if index == 0 else f"{base_id}-{index + 1}"
        hint = hints.get(value, "")
        revealed = [bound_field.form[name] for name in reveals.get(value, ()) if name in bound_field.form.fields]
        items.append(
            {
                "id": item_id,
                "name": data["name"],
                "value": value,
                "label": data["label"],
                "checked": bool(data.get("selected")),
                "disabled": bool(attrs.get("disabled")),
                "hint": hint,
                "hint_id": f"{item_id}-item-hint" if hint else "",
                "reveals": revealed,
                "conditional_id": f"conditional-{item_id}" if revealed else "",
            }
        )
    return items


def revealed_field_names(form) -> set[str]:
    """Fields rendered inside another field's conditional reveal, so not again on their own."""
    return {
        name for field in form.fields.values() for names in getattr(field, "reveals", {}).values() for name in names
    }


def fields_in_page_order(form) -> list:
    """Bound fields in the order the page shows them: the crispy layout's order when there is one, each revealed
    field straight after the radios that reveal it, then anything the layout leaves out."""
    layout = getattr(getattr(form, "helper", None), "layout", None)
    names = [pointer.name for pointer in layout.get_field_names()] if layout is not None else []
    names += [name for name in form.fields if name not in names]
    revealed = revealed_field_names(form)
    ordered: list[str] = []
    for name in names:
        if name in revealed or name not in form.fields:
            continue
        ordered.append(name)
        for shown in getattr(form.fields[name], "reveals", {}).values():
            ordered += [n for n in shown if n in form.fields and n not in ordered]
    return [form[name] for name in ordered]


@register.filter
def is_revealed(bound_field) -> bool:
    """True for a field drawn inside another field's conditional reveal (whole-form loops skip it)."""
    return bound_field.name in revealed_field_names(bound_field.form)


def _date_parts(bound_field, base_id: str, show_errors: bool) -> list[dict]:
    widget = bound_field.field.widget
    context = widget.get_context(bound_field.html_name, bound_field.value(), {"id": base_id} if base_id else {})
    wrong = date_parts_in_error(bound_field.errors) if show_errors else set()
    parts = []
    for part, subwidget in zip(DATE_PARTS, context["widget"]["subwidgets"], strict=True):
        extra = {k: v for k, v in subwidget["attrs"].items() if k not in _DATE_OWN_ATTRS}
        parts.append(
            {
                "part": part,
                "label": part.capitalize(),
                "id": subwidget["attrs"].get("id") or f"{base_id}_{part}",
                "name": subwidget["name"],
                "value": subwidget["value"] if subwidget["value"] not in (None, "") else None,
                "width_class": _DATE_WIDTHS[part],
                "error": part in wrong,
                "attrs": flatatt(extra),
                "disabled": bool(bound_field.field.disabled or subwidget["attrs"].get("disabled")),
            }
        )
    return parts


def _widget_html(bound_field, attrs: dict):
    """`bound_field.as_widget(attrs=attrs)`, its widget drawn by `core.widgets.drawn` (Django's template for any
    widget it does not draw itself)."""
    widget = bound_field.field.widget
    if bound_field.field.localize:
        widget.is_localized = True
    attrs = bound_field.build_widget_attrs(attrs, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    return drawn(widget, bound_field.html_name, bound_field.value(), attrs, bound_field.form.renderer)


@register.simple_tag(takes_context=True)
def nhsuk_field(context, bound_field) -> dict:
    """Everything a pack template needs to render one field as its nhsuk component.

    Returns a dict: kind, id, label, show_label, hint, hint_id, errors, error_id, describedby, widget
    (HTML for input/textarea/select/file), component and items (radios/checkboxes/checkbox), parts (date)
    and legend_hidden (a lone checkbox whose label would repeat its legend).
    """
    kind = _kind(bound_field)
    show_errors = context.get("form_show_errors", True) is not False
    show_label = context.get("form_show_labels", True) is not False
    base_id = _base_id(bound_field)
    errors = list(bound_field.errors) if show_errors else []
    hint = bound_field.help_text or ""
    hint_id = f"{base_id}-hint" if hint and base_id else ""
    error_id = f"{base_id}-error" if errors and base_id else ""
    describedby = " ".join(i for i in (hint_id, error_id) if i)
    result = {
        "kind": kind,
        "id": base_id,
        "label": _label_text(bound_field, kind),
        "show_label": show_label,
        "hint": hint,
        "hint_id": hint_id,
        "errors": errors,
        "error_id": error_id,
        "describedby": describedby,
        "widget": "",
        "items": [],
        "parts": [],
        "legend_hidden": False,
        "component": "",
    }
    if kind in _CONTROL_CLASSES:
        base_class, error_class = _CONTROL_CLASSES[kind]
        own_class = bound_field.field.widget.attrs.get("class", "")
        classes = [base_class, error_class if errors else "", own_class]
        attrs = {"class": " ".join(c for c in classes if c)}
        if describedby:
            attrs["aria-describedby"] = describedby
        result["widget"] = _widget_html(bound_field, attrs)
    elif kind in ("radios", "checkboxes"):
        result["component"] = kind
        result["items"] = _choice_items(bound_field, base_id)
    elif kind == "checkbox":
        result["component"] = "checkboxes"
        widget = bound_field.field.widget
        checkbox_label = getattr(bound_field.field, "checkbox_label", None)
        result["items"] = [
            {
                "id": base_id,
                "name": bound_field.html_name,
                "value": "true",
                "label": checkbox_label or bound_field.label,
                "checked": bool(widget.check_test(bound_field.value())),
                "disabled": bool(bound_field.field.disabled),
            }
        ]
        result["legend_hidden"] = not checkbox_label
    elif kind == "date":
        result["parts"] = _date_parts(bound_field, base_id, show_errors)
    return result


def _shown(value) -> str:
    """`{{ value }}` in a template: localized, then escaped unless it is already markup."""
    return escaped(localized(value))


def _hint_and_error(f: dict) -> str:
    """`nhsuk/fields/_hint_and_error.html` (the hint is the form's own markup, `|safe` in the template)."""
    out = ""
    if f["hint"]:
        out += f'\n  <div class="nhsuk-hint" id="{_shown(f["hint_id"])}">\n    {localize(f["hint"])}\n  </div>\n'
    if f["errors"]:
        errors = "<br>".join(_shown(error) for error in f["errors"])
        out += (
            f'\n  <span class="nhsuk-error-message" id="{_shown(f["error_id"])}">\n'
            f'    <span class="nhsuk-u-visually-hidden">Error: </span>{errors}\n  </span>\n'
        )
    return out + "\n"


def _if(condition, text: str) -> str:
    return text if condition else ""


def _attr(name: str, value) -> str:
    """` name="value"` where the template wrote `{% if value %} name="{{ value }}"{% endif %}`."""
    return f' {name}="{_shown(value)}"' if value else ""


def _extra(value) -> str:
    """` value` where the template wrote `{% if value %} {{ value }}{% endif %}` (a layout's class)."""
    return f" {_shown(value)}" if value else ""


def _control(f: dict, look: dict) -> str:
    """`nhsuk/fields/control.html`: a label, hint, error and the widget (input, textarea, select, file)."""
    file = f["kind"] == "file"
    group = (
        "nhsuk-form-group"
        + _if(f["errors"], " nhsuk-form-group--error")
        + _if(file, " nhsuk-file-upload")
        + _extra(look["wrapper_class"])
    )
    label = "nhsuk-label" + _extra(look["label_class"]) + _if(not f["show_label"], " nhsuk-u-visually-hidden")
    module = _if(file, ' data-module="nhsuk-file-upload"')
    return (
        f'<div class="{group}"{module}>\n'
        f'  <label class="{label}" for="{_shown(f["id"])}">\n'
        f"    {_shown(f['label'])}\n  </label>\n  {_hint_and_error(f)}\n  {_shown(f['widget'])}\n</div>\n"
    )


def _group_open(f: dict, look: dict) -> str:
    group = "nhsuk-form-group" + _if(f["errors"], " nhsuk-form-group--error") + _extra(look["wrapper_class"])
    return f'<div class="{group}">\n'


def _legend(f: dict, look: dict, hidden: bool) -> str:
    legend = "nhsuk-fieldset__legend nhsuk-fieldset__legend--s" + _extra(look["label_class"])
    legend += _if(hidden, " nhsuk-u-visually-hidden")
    return f'    <legend class="{legend}">\n      {_shown(f["label"])}\n    </legend>\n    {_hint_and_error(f)}\n'


def _date_part(part: dict) -> str:
    group = "nhsuk-form-group" + _if(part["error"], " nhsuk-form-group--error")
    box = "nhsuk-input" + _if(part["error"], " nhsuk-input--error") + f" {_shown(part['width_class'])}"
    value = "" if part["value"] is None else f' value="{_shown(part["value"])}"'
    return (
        '\n      <div class="nhsuk-date-input__item">\n'
        f'        <div class="{group}">\n'
        f'          <label class="nhsuk-label nhsuk-date-input__label" for="{_shown(part["id"])}">\n'
        f"            {_shown(part['label'])}\n          </label>\n"
        f'          <input class="{box} nhsuk-date-input__input" id="{_shown(part["id"])}"'
        f' name="{_shown(part["name"])}" type="text"{value} inputmode="numeric"'
        f"{_if(part['disabled'], ' disabled')}{_shown(part['attrs'])}>\n"
        "        </div>\n      </div>\n      "
    )


def _date(f: dict, look: dict) -> str:
    """`nhsuk/fields/date.html`: three boxes in a fieldset."""
    parts = "".join(_date_part(part) for part in f["parts"])
    return (
        _group_open(f, look)
        + f'  <fieldset class="nhsuk-fieldset" role="group"{_attr("aria-describedby", f["describedby"])}>\n'
        + _legend(f, look, not f["show_label"])
        + f'    <div class="nhsuk-date-input"{_attr("id", f["id"])}>\n      {parts}\n'
        + "    </div>\n  </fieldset>\n</div>\n"
    )


def _choice(f: dict, item: dict, look: dict) -> str:
    component = _shown(f["component"])
    input_type = "radio" if f["component"] == "radios" else "checkbox"
    hint_id = item.get("hint_id")
    conditional_id = item.get("conditional_id")
    hint = item.get("hint")
    shown_hint = f'<div class="nhsuk-hint nhsuk-{component}__hint" id="{_shown(hint_id)}">{_shown(hint)}</div>'
    text = (
        f'\n      <div class="nhsuk-{component}__item">\n'
        f'        <input class="nhsuk-{component}__input" id="{_shown(item["id"])}" name="{_shown(item["name"])}"'
        f' type="{input_type}" value="{_shown(item["value"])}"{_if(item["checked"], " checked")}'
        f"{_if(item['disabled'], ' disabled')}{_attr('aria-describedby', hint_id)}"
        f"{_attr('data-aria-controls', conditional_id)}>\n"
        f'        <label class="nhsuk-label nhsuk-{component}__label" for="{_shown(item["id"])}">\n'
        f"          {_shown(item['label'])}\n        </label>\n        "
        f"{_if(hint, shown_hint)}\n      </div>\n      "
    )
    if conditional_id:
        revealed = "".join(_field_html(field, look) for field in item["reveals"])
        hidden = _if(not item["checked"], f" nhsuk-{component}__conditional--hidden")
        text += (
            f'\n      <div class="nhsuk-{component}__conditional{hidden}" id="{_shown(conditional_id)}">\n'
            f"        {revealed}\n      </div>\n      "
        )
    return text + "\n      "


def _choices(f: dict, look: dict) -> str:
    """`nhsuk/fields/choices.html`: radios or checkboxes in a fieldset, each option's hint and conditional reveal
    (the revealed fields drawn inside it)."""
    component = _shown(f["component"])
    inline = _if(look["inline_class"], f" nhsuk-{component}--inline")
    items = "".join(_choice(f, item, look) for item in f["items"])
    return (
        _group_open(f, look)
        + f'  <fieldset class="nhsuk-fieldset"{_attr("aria-describedby", f["describedby"])}>\n'
        + _legend(f, look, f["legend_hidden"] or not f["show_label"])
        + f'    <div class="nhsuk-{component}{inline}" data-module="nhsuk-{component}">\n      {items}\n'
        + "    </div>\n  </fieldset>\n</div>\n"
    )


def _field_html(bound_field, look: dict) -> str:
    """One field as `nhsuk/field.html` drew it, from `nhsuk_field`'s facts, with its last line break."""
    f = nhsuk_field(look, bound_field)
    if f["kind"] == "hidden":
        body = _shown(bound_field)
    elif f["kind"] == "date":
        body = _date(f, look)
    elif f["component"]:
        body = _choices(f, look)
    else:
        body = _control(f, look)
    return body + "\n"


_LOOK = ("form_show_errors", "form_show_labels", "wrapper_class", "label_class", "inline_class")


@register.simple_tag(takes_context=True)
def nhsuk_field_html(context, bound_field):
    """One field as its NHS.UK component, drawn in Python: what the pack's field templates drew, to the byte, at a
    fraction of the cost (issue 20: the form's templates were a form page's largest cost; the old templates are kept
    beside `tests/web/test_nhsuk_field_html.py`, which compares the two for every kind of field and state). The
    crispy context's settings (errors and labels shown, a layout's wrapper, label and inline classes) are read
    as the templates read them."""
    look = {name: context.get(name) for name in _LOOK}
    look["form_show_errors"] = look["form_show_errors"] is not False
    look["form_show_labels"] = look["form_show_labels"] is not False
    return mark_safe(_field_html(bound_field, look))  # noqa: S308 - every value went through _shown


@register.simple_tag
def nhsuk_error_summary_items(form) -> list[dict]:
    """The error summary's list: non-field errors first (no link), then each field error in the order the page
    shows the fields (layout order, revealed fields under their radios), linking to the control to fix."""
    items = [{"text": error, "href": ""} for error in form.non_field_errors()]
    for bound_field in fields_in_page_order(form):
        for error in bound_field.errors:
            if bound_field.is_hidden:
                # Nothing to move focus to; say which field, as Django's own rendering does.
                items.append({"text": f"(Hidden field {bound_field.name}) {error}", "href": ""})
            else:
                items.append({"text": error, "href": _field_error_href(bound_field)})
    return items


@register.simple_tag(takes_context=True)
def nhsuk_page_url(context, page_number) -> str:
    """`?page=N` keeping the current query (filters, search terms) except the old page number or cursor."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for name in ("after", "before"):
        query.pop(name, None)
    query["page"] = page_number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def nhsuk_cursor_url(context, direction: str, cursor: str) -> str:
    """`?after=…` or `?before=…` (a keyset cursor, `web.listing`) keeping the current query except the page."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for name in ("page", "after", "before"):
        query.pop(name, None)
    query[direction] = cursor
    return "?" + query.urlencode()


@register.simple_tag
def nhsuk_button_class(field_classes: str = "", input_type: str = "submit") -> str:
    """nhsuk button classes for a crispy Submit/Button/Reset: drop crispy's Bootstrap `btn*` defaults, keep
    the rest, and make non-submit buttons secondary unless a variant was asked for."""
    extra = [c for c in str(field_classes or "").split() if not c.startswith("btn")]
    classes = ["nhsuk-button"]
    if input_type in ("button", "reset") and not any(c.startswith("nhsuk-button--") for c in extra):
        classes.append("nhsuk-button--secondary")
    return " ".join(dict.fromkeys(classes + extra))


@register.simple_tag
def nhsuk_strict_button_attrs(flat_attrs: str) -> str:
    """A crispy StrictButton's attributes with its Bootstrap classes swapped for nhsuk ones."""
    flat_attrs = str(flat_attrs or "")
    type_match = re.search(r'\btype="([^"]*)"', flat_attrs)
    input_type = type_match.group(1) if type_match else "button"

    def swap(match):
        return f'class="{escape(nhsuk_button_class(unescape(match.group(1)), input_type))}"'

    return mark_safe(re.sub(r'\bclass="([^"]*)"', swap, flat_attrs))  # built from flatatt output, re-escaped


@register.filter
def nhsuk_page_range(paginator, number):
    """Page numbers to show around the current one, with `paginator.ELLIPSIS` for the gaps."""
    return paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)


@register.filter
def nhsuk_tag_colour(colour) -> str:
    """The colour if nhsuk has a tag modifier for it, else "" (the default tag)."""
    return colour if colour in TAG_COLOURS else ""


@register.simple_tag
def nhsuk_tag(text, colour="", classes=""):
    """An NHS.UK tag: `{% nhsuk_tag "Urgent" "red" %}`, with optional extra `classes`. What
    `{% include "includes/tag.html" with text=… colour=… %}` drew, to the byte (its file's last line break
    included), for a fraction of an include's cost: a family's record draws a dozen (issue 20;
    `tests/web/test_nhsuk_tag.py` compares them)."""
    modifier = f" nhsuk-tag--{colour}" if colour in TAG_COLOURS else ""
    extra = f" {escaped(classes)}" if classes else ""
    return mark_safe(f'<strong class="nhsuk-tag{modifier}{extra}">{escaped(text)}</strong>\n')  # noqa: S308
