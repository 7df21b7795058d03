"""Bad requests end on a page that explains, in Chinese, never a bare error."""

import pytest
from django.test import Client

from reform.org.models import Role
from reform.org.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    province = f.jurisdiction("黑龙江省")
    client.force_login(f.person("office", (Role.OFFICE, province)))
    return client


def test_an_unknown_page_says_so_in_chinese(signed_in):
    response = signed_in.get("/no/such/page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_a_post_larger_than_the_server_accepts_gets_a_page_that_explains(signed_in, settings):
    response = signed_in.generic(
        "POST",
        "/plan/",
        data=b"x" * 1024,
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
    )
    assert response.status_code == 413
    assert "20 MB" in response.content.decode()


def test_form_data_over_djangos_limit_gets_the_explaining_400_page(signed_in):
    response = signed_in.post("/i18n/setlang/", {"language": "en", "next": "x" * 3_000_000})
    assert response.status_code == 400
    assert (
        "未保存" in response.content.decode()
        or "nothing has been saved" in response.content.decode()
    )


def test_a_missing_csrf_token_gets_a_page_that_explains():
    client = Client(enforce_csrf_checks=True)
    province = f.jurisdiction("黑龙江省")
    client.force_login(f.person("office", (Role.OFFICE, province)))
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert "重新加载" in response.content.decode() or "reload" in response.content.decode()
