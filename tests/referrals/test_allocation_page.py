"""The allocation page: one list of practitioners, and no dead-end form when there is nobody to choose."""

import html
import re

from django.urls import reverse

from tests.referrals.allocation_helpers import accepted_referral, set_details


def test_no_practitioners_says_who_sets_them_up_and_shows_no_form(login, service, coordinator):
    referral = accepted_referral(service, coordinator)  # nobody in the service is a practitioner
    page = login(coordinator).get(reverse("referrals:allocate", args=[referral.pk])).content.decode()
    assert "has no practitioners yet" in page
    assert "service admin" in page
    assert '<form method="post"' not in page.split('id="maincontent"')[1]
    assert 'type="submit"' not in page.split('id="maincontent"')[1]


def test_each_practitioner_is_listed_once_with_their_details(login, service, coordinator, practitioner):
    set_details(practitioner, service, coordinator, capacity=3)
    referral = accepted_referral(service, coordinator)
    page = login(coordinator).get(reverse("referrals:allocate", args=[referral.pk])).content.decode()
    main = page.split('id="maincontent"')[1]
    assert len(re.findall(re.escape(html.escape(str(practitioner))), main)) == 1  # names like O'Brien are escaped
    assert "<table" not in main
    assert "0 of 3 families" in main and "Same site" in main and "Accredited" in main
    # the details are the radio's hint, read out with it
    radio = re.search(r'<input[^>]*name="practitioner"[^>]*>', main).group(0)
    assert 'aria-describedby="id_practitioner-item-hint"' in radio
