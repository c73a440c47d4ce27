"""The `nhsuk` crispy template pack, NHSDateField and the vendored NHS.UK frontend.

Self-contained: a small form rendered through `|crispy` and `{% crispy %}`, assertions on the markup that
nhsuk-frontend v10 expects (ids, aria-describedby, error summary links).
"""

import datetime
import re
from pathlib import Path

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.template import Context, RequestContext, Template
from django.template.loader import render_to_string
from django.test import RequestFactory

from core.widgets import NHSDateField, NHSDateInput

NHSUK_STATIC = Path(settings.BASE_DIR) / "static" / "nhsuk"


class ExampleForm(forms.Form):
    name = forms.CharField(label="Full name", help_text="As it appears on their GP record")
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    site = forms.ChoiceField(label="Site", choices=[("", "Choose a site"), ("p", "Peterborough"), ("c", "Cambridge")])
    contact = forms.ChoiceField(
        label="How should we contact them?", choices=[("email", "Email"), ("phone", "Phone")], widget=forms.RadioSelect
    )
    days = forms.MultipleChoiceField(
        label="Days they can attend",
        choices=[("mon", "Monday"), ("tue", "Tuesday")],
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(label="Consent given")
    date_of_birth = NHSDateField(label="Date of birth", help_text="For example, 15 3 1984")
    token = forms.CharField(widget=forms.HiddenInput, required=False)


VALID = {
    "name": "Alex Example",
    "site": "p",
    "contact": "email",
    "days": ["mon"],
    "consent": "true",
    "date_of_birth_day": "15",
    "date_of_birth_month": "3",
    "date_of_birth_year": "1984",
}


def render_filter(form) -> str:
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def render_tag(form, helper) -> str:
    request = RequestFactory().get("/")
    return Template("{% load crispy_forms_tags %}{% crispy form helper %}").render(
        RequestContext(request, {"form": form, "helper": helper})
    )


def date_errors(day, month, year, **field_kwargs) -> list[str]:
    class DateForm(forms.Form):
        when = NHSDateField(label="Date of birth", **field_kwargs)

    form = DateForm({"when_day": day, "when_month": month, "when_year": year})
    form.is_valid()
    return form.errors.get("when", [])


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


# The date field


def test_date_field_valid_parts_clean_to_date():
    form = ExampleForm(VALID)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(1984, 3, 15)


def test_date_field_empty_when_required_asks_to_enter_it():
    assert date_errors("", "", "") == ["Enter date of birth"]


def test_date_field_empty_when_optional_is_none():
    class DateForm(forms.Form):
        when = NHSDateField(label="Date of birth", required=False)

    form = DateForm({"when_day": "", "when_month": "", "when_year": ""})
    assert form.is_valid()
    assert form.cleaned_data["when"] is None


def test_date_field_impossible_date_must_be_real():
    assert date_errors("31", "2", "2024") == ["Date of birth must be a real date"]


def test_date_field_missing_month_says_so():
    assert date_errors("31", "", "2024") == ["Date of birth must include a month"]


def test_date_field_missing_day_and_year_says_both():
    assert date_errors("", "3", "") == ["Date of birth must include a day and year"]


def test_date_field_two_digit_year_needs_four_numbers():
    assert date_errors("31", "3", "24") == ["Year must include 4 numbers"]


def test_date_field_letters_must_be_real_date():
    assert date_errors("3x", "3", "2024") == ["Date of birth must be a real date"]


def test_date_field_month_name_is_accepted():
    class DateForm(forms.Form):
        when = NHSDateField(label="Date of birth")

    form = DateForm({"when_day": "1", "when_month": "Feb", "when_year": "2024"})
    assert form.is_valid()
    assert form.cleaned_data["when"] == datetime.date(2024, 2, 1)


def test_date_field_label_from_field_name_when_no_label():
    class DateForm(forms.Form):
        referral_date = NHSDateField()

    form = DateForm({"referral_date_day": "", "referral_date_month": "", "referral_date_year": ""})
    assert not form.is_valid()
    assert form.errors["referral_date"] == ["Enter referral date"]


def test_date_field_custom_message_overrides_default():
    assert date_errors("", "", "", error_messages={"required": "Enter the date you were referred"}) == [
        "Enter the date you were referred"
    ]


def test_date_field_iso_value_under_plain_name_is_accepted():
    class DateForm(forms.Form):
        when = NHSDateField()

    form = DateForm({"when": "2024-02-29"})
    assert form.is_valid()
    assert form.cleaned_data["when"] == datetime.date(2024, 2, 29)


def test_date_input_decompress_splits_date_without_leading_zeros():
    assert NHSDateInput().decompress(datetime.date(2024, 3, 5)) == ["5", "3", "2024"]
    assert NHSDateInput().decompress(None) == [None, None, None]


def test_date_field_unchanged_initial_is_not_changed():
    class DateForm(forms.Form):
        when = NHSDateField()

    form = DateForm(
        {"when_day": "05", "when_month": "3", "when_year": "2024"}, initial={"when": datetime.date(2024, 3, 5)}
    )
    assert not form.has_changed()


# Rendering through |crispy


def test_crispy_filter_initial_date_is_decompressed_into_boxes():
    html = render_filter(ExampleForm(initial={"date_of_birth": datetime.date(1984, 3, 15)}))
    assert 'id="id_date_of_birth_day" name="date_of_birth_day" type="text" value="15" inputmode="numeric"' in html
    assert 'id="id_date_of_birth_month" name="date_of_birth_month" type="text" value="3"' in html
    assert 'id="id_date_of_birth_year" name="date_of_birth_year" type="text" value="1984"' in html


def test_crispy_filter_unbound_form_has_no_error_summary():
    html = render_filter(ExampleForm())
    assert "nhsuk-error-summary" not in html
    assert "nhsuk-form-group--error" not in html


def test_crispy_filter_date_component_markup_matches_nhsuk():
    html = squash(render_filter(ExampleForm()))
    assert '<fieldset class="nhsuk-fieldset" role="group" aria-describedby="id_date_of_birth-hint">' in html
    assert '<div class="nhsuk-date-input" id="id_date_of_birth">' in html
    assert html.count('<div class="nhsuk-date-input__item">') == 3
    for part in ("Day", "Month", "Year"):
        assert (
            f'class="nhsuk-label nhsuk-date-input__label" for="id_date_of_birth_{part.lower()}"> {part} </label>'
            in html
        )
    assert 'class="nhsuk-input nhsuk-input--width-2 nhsuk-date-input__input" id="id_date_of_birth_day"' in html
    assert 'class="nhsuk-input nhsuk-input--width-4 nhsuk-date-input__input" id="id_date_of_birth_year"' in html


def test_crispy_filter_text_input_with_hint_is_described_by_hint():
    html = squash(render_filter(ExampleForm()))
    assert '<label class="nhsuk-label" for="id_name"> Full name </label>' in html
    assert '<div class="nhsuk-hint" id="id_name-hint"> As it appears on their GP record </div>' in html
    assert re.search(r'<input type="text" name="name" class="nhsuk-input" aria-describedby="id_name-hint"', html)


def test_crispy_filter_optional_field_label_says_optional():
    html = squash(render_filter(ExampleForm()))
    assert '<label class="nhsuk-label" for="id_notes"> Notes (optional) </label>' in html
    assert "Full name (optional)" not in html
    assert "*" not in re.sub(r"<[^>]+>", "", html)
    assert re.search(r'<textarea name="notes"[^>]*class="nhsuk-textarea"', html)
    assert re.search(r'<select name="site" class="nhsuk-select"', html)


def test_crispy_filter_radios_and_checkboxes_are_in_fieldsets():
    html = squash(render_filter(ExampleForm()))
    assert (
        '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s"> How should we contact them? </legend>'
        in html
    )
    assert '<div class="nhsuk-radios" data-module="nhsuk-radios">' in html
    assert '<input class="nhsuk-radios__input" id="id_contact" name="contact" type="radio" value="email">' in html
    assert '<input class="nhsuk-radios__input" id="id_contact-2" name="contact" type="radio" value="phone">' in html
    assert '<label class="nhsuk-label nhsuk-radios__label" for="id_contact-2"> Phone </label>' in html
    assert '<div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">' in html
    assert '<input class="nhsuk-checkboxes__input" id="id_days" name="days" type="checkbox" value="mon">' in html
    assert '<input class="nhsuk-checkboxes__input" id="id_consent" name="consent" type="checkbox" value="true">' in html


def test_crispy_filter_hidden_field_has_no_wrapper():
    html = render_filter(ExampleForm())
    assert '<input type="hidden" name="token" id="id_token">' in html
    assert "Token" not in html


def test_crispy_filter_invalid_form_starts_with_error_summary_linking_each_field():
    data = {**VALID, "name": "", "contact": "", "date_of_birth_month": ""}
    html = render_filter(ExampleForm(data)).strip()
    assert html.startswith('<div class="nhsuk-error-summary" data-module="nhsuk-error-summary" tabindex="-1">')
    summary = squash(html.split("</ul>")[0])
    assert '<div role="alert">' in summary
    assert '<h2 class="nhsuk-error-summary__heading"> There is a problem </h2>' in summary
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)
    assert links == [
        ("#id_name", "This field is required."),
        ("#id_contact", "This field is required."),
        ("#id_date_of_birth_month", "Date of birth must include a month"),
    ]


def test_crispy_filter_non_field_errors_are_plain_summary_items():
    class CheckedForm(ExampleForm):
        def clean(self):
            raise forms.ValidationError("Those details match an existing referral")

    html = squash(render_filter(CheckedForm(VALID)))
    assert "<li> Those details match an existing referral </li>" in html


def test_crispy_filter_inline_error_has_id_and_is_described_by():
    html = squash(render_filter(ExampleForm({**VALID, "name": ""})))
    assert '<div class="nhsuk-form-group nhsuk-form-group--error">' in html
    assert (
        '<span class="nhsuk-error-message" id="id_name-error"> '
        '<span class="nhsuk-u-visually-hidden">Error: </span>This field is required. </span>'
    ) in html
    assert re.search(
        r'<input type="text" name="name" class="nhsuk-input nhsuk-input--error" '
        r'aria-describedby="id_name-hint id_name-error"',
        html,
    )


def test_crispy_filter_radio_error_is_described_on_fieldset():
    html = squash(render_filter(ExampleForm({**VALID, "contact": ""})))
    assert '<fieldset class="nhsuk-fieldset" aria-describedby="id_contact-error">' in html
    assert 'id="id_contact-error"' in html


def test_crispy_filter_date_error_marks_only_the_missing_part_and_keeps_input():
    html = squash(render_filter(ExampleForm({**VALID, "date_of_birth_day": "31", "date_of_birth_month": ""})))
    assert 'aria-describedby="id_date_of_birth-hint id_date_of_birth-error"' in html
    assert 'value="31"' in html and 'value="1984"' in html
    assert (
        'class="nhsuk-input nhsuk-input--error nhsuk-input--width-2 nhsuk-date-input__input" '
        'id="id_date_of_birth_month"' in html
    )
    assert 'class="nhsuk-input nhsuk-input--width-2 nhsuk-date-input__input" id="id_date_of_birth_day"' in html


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "href"),
    [
        ("31", "2", "2024", "Date of birth must be a real date", "#id_date_of_birth_day"),
        ("31", "", "2024", "Date of birth must include a month", "#id_date_of_birth_month"),
        ("31", "3", "24", "Year must include 4 numbers", "#id_date_of_birth_year"),
    ],
)
def test_crispy_filter_bad_date_is_summarised_and_redisplayed(day, month, year, message, href):
    data = {**VALID, "date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}
    html = squash(render_filter(ExampleForm(data)))
    assert f'<a href="{href}">{message}</a>' in html
    assert f'<span class="nhsuk-u-visually-hidden">Error: </span>{message} </span>' in html
    assert f'id="id_date_of_birth_day" name="date_of_birth_day" type="text" value="{day}"' in html
    assert f'id="id_date_of_birth_year" name="date_of_birth_year" type="text" value="{year}"' in html


def test_crispy_filter_raw_text_input_is_redisplayed_escaped():
    html = render_filter(ExampleForm({**VALID, "name": '<b>"Alex"</b>', "contact": ""}))
    assert 'value="&lt;b&gt;&quot;Alex&quot;&lt;/b&gt;"' in html
    assert "<b>" not in html


def test_crispy_filter_checked_choices_are_kept_after_error():
    html = render_filter(ExampleForm({**VALID, "name": ""}))
    assert 'id="id_contact" name="contact" type="radio" value="email" checked>' in html
    assert 'id="id_days" name="days" type="checkbox" value="mon" checked>' in html
    assert 'id="id_consent" name="consent" type="checkbox" value="true" checked>' in html


# Rendering through {% crispy %}


def test_crispy_tag_renders_form_with_csrf_and_nhsuk_submit():
    helper = FormHelper()
    helper.form_action = "/referrals/new/"
    helper.add_input(Submit("save", "Save referral"))
    html = squash(render_tag(ExampleForm(), helper))
    assert html.strip().startswith('<form action="/referrals/new/" method="post" novalidate>')
    assert 'name="csrfmiddlewaretoken"' in html
    assert (
        '<button class="nhsuk-button" data-module="nhsuk-button" type="submit" name="save" value="Save referral" '
        'id="submit-id-save"> Save referral </button>'
    ) in html
    assert html.strip().endswith("</form>")


def test_crispy_tag_error_summary_is_first_in_form():
    helper = FormHelper()
    helper.add_input(Submit("save", "Save"))
    html = render_tag(ExampleForm({**VALID, "name": ""}), helper)
    inside = html.split(">", 1)[1].lstrip()
    assert inside.startswith('<div class="nhsuk-error-summary"')
    assert '<a href="#id_name">This field is required.</a>' in html


def test_crispy_tag_layout_fieldset_and_button_classes():
    helper = FormHelper()
    helper.layout = Layout(
        Fieldset("About the parent", "name", "date_of_birth"),
        Submit("save", "Save", css_class="nhsuk-button--secondary"),
    )
    helper.render_unmentioned_fields = False
    html = squash(render_tag(ExampleForm(), helper))
    assert '<fieldset class="nhsuk-fieldset"> <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">' in html
    assert "About the parent" in html
    assert 'class="nhsuk-button nhsuk-button--secondary"' in html
    assert "btn" not in html
    assert 'name="notes"' not in html


# Includes


def test_summary_list_include_renders_rows():
    html = squash(render_to_string("includes/summary_list.html", {"rows": [("Name", "Alex"), ("NHS number", "<x>")]}))
    assert '<dl class="nhsuk-summary-list">' in html
    assert '<dt class="nhsuk-summary-list__key"> Name </dt> <dd class="nhsuk-summary-list__value"> Alex </dd>' in html
    assert "&lt;x&gt;" in html


@pytest.mark.parametrize(
    ("colour", "css"), [("green", "nhsuk-tag nhsuk-tag--green"), ("re", "nhsuk-tag"), ("", "nhsuk-tag")]
)
def test_tag_include_colour_is_validated(colour, css):
    html = render_to_string("includes/tag.html", {"text": "Open", "colour": colour})
    assert html.strip() == f'<strong class="{css}">Open</strong>'


def test_back_link_include_renders_href():
    html = render_to_string("includes/back_link.html", {"href": "/referrals/"})
    assert html.strip() == '<a class="nhsuk-back-link" href="/referrals/">Back</a>'


def test_pagination_include_keeps_other_query_params():
    page_obj = Paginator(list(range(100)), 10).page(3)
    request = RequestFactory().get("/referrals/", {"q": "smith", "status": "open", "page": "3"})
    html = render_to_string("includes/pagination.html", {"page_obj": page_obj, "request": request})
    assert 'href="?q=smith&amp;status=open&amp;page=2" class="nhsuk-pagination__previous" rel="prev"' in html
    assert 'href="?q=smith&amp;status=open&amp;page=4" class="nhsuk-pagination__next" rel="next"' in html
    assert 'aria-label="Page 3" aria-current="page"' in html
    assert "nhsuk-pagination__item--ellipsis" in html


def test_pagination_include_single_page_renders_nothing():
    page_obj = Paginator([1, 2], 10).page(1)
    assert render_to_string("includes/pagination.html", {"page_obj": page_obj}).strip() == ""


# Vendored frontend


def test_vendored_css_loads_nothing_from_outside():
    css = (NHSUK_STATIC / "nhsuk-frontend-10.6.1.min.css").read_text(encoding="utf-8")
    assert "@font-face" not in css
    assert "assets.nhs.uk" not in css
    assert "https://" not in css
    for ref in re.findall(r"url\(([^)]+)\)", css):
        assert (NHSUK_STATIC / ref.strip("'\"")).is_file(), ref


def test_vendored_files_have_version_and_licence():
    assert (NHSUK_STATIC / "VERSION").read_text().strip() == "10.6.1"
    assert "MIT License" in (NHSUK_STATIC / "LICENSE").read_text()
    assert (NHSUK_STATIC / "nhsuk-frontend-10.6.1.min.js").is_file()


def test_templates_have_no_inline_script_or_style():
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\sstyle=", text), path
        assert not re.search(r"\son[a-z]+=", text), path


# Page template and error pages


def test_not_found_page_uses_nhsuk_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en-GB" class="nhsuk-template">' in html
    assert "<title>Page not found – VIG Service</title>" in html
    assert '<a class="nhsuk-skip-link" data-module="nhsuk-skip-link" href="#maincontent">' in html
    assert '<main class="nhsuk-main-wrapper" id="maincontent" role="main">' in html
    assert '<a class="nhsuk-footer__list-item-link" href="/api/v1/docs/">API documentation</a>' in html
    assert "/static/nhsuk/nhsuk-frontend-10.6.1.min.css" in html
    assert 'id="demo-banner"' not in html
    assert "Sign out" not in html


def test_demo_mode_shows_banner_under_header(client, db, settings):
    settings.DEMO_MODE = True
    html = client.get("/no-such-page/").content.decode()
    assert 'id="demo-banner"' in html
    assert "Demo — not for patient data" in html
    assert html.index("</header>") < html.index('id="demo-banner"') < html.index('id="maincontent"')


def test_server_error_page_needs_no_context():
    html = render_to_string("500.html")
    assert 'href="/static/nhsuk/nhsuk-frontend-10.6.1.min.css"' in html
    assert "Sorry, there is a problem with the service" in html


class _SignedIn:
    is_authenticated = True
    username = "alex"
    display_name = "Alex Practitioner"


def test_header_signed_in_shows_name_logout_form_and_current_nav():
    nav_items = [
        {"label": "Home", "url": "/", "current": False},
        {"label": "Triage queue", "url": "/referrals/triage/", "current": True},
    ]
    html = squash(render_to_string("404.html", {"user": _SignedIn(), "nav_items": nav_items, "csrf_token": "t0k"}))
    assert "Alex Practitioner </li>" in html
    assert '<form class="nhsuk-header__account-form" action="/accounts/logout/" method="post" novalidate>' in html
    assert 'name="csrfmiddlewaretoken" value="t0k"' in html
    assert '<button class="nhsuk-header__account-button">Sign out</button>' in html
    assert '<a class="nhsuk-header__navigation-link" href="/">Home</a>' in html
    assert (
        '<a class="nhsuk-header__navigation-link" href="/referrals/triage/" aria-current="page">'
        '<strong class="nhsuk-header__navigation-item-current-fallback">Triage queue</strong></a>'
    ) in html


def test_practitioner_menu_has_their_caseload(login, practitioner, coordinator):
    """A practitioner's main job is their caseload: it has a place in the menu; a coordinator's menu has none."""
    from accounts.models import Membership

    own = Membership.objects.get(user=practitioner)
    html = login(practitioner).get("/").content.decode()
    menu = html.split('aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
    assert f'href="/referrals/caseloads/{own.pk}/"' in menu and "Your caseload" in menu
    html = login(coordinator).get("/").content.decode()
    assert "Your caseload" not in html.split('aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
