"""Small helpers shared by the office tests."""

import re

from django.contrib.auth import get_user_model

from reform.outbox.models import OutboxMessage

LINK = re.compile(r"https?://\S+/accounts/reset/[^/\s]+/[^/\s]+/")


def set_password_link(username: str) -> str:
    """The path of the newest password-setting link written to ``username``'s address."""
    user = get_user_model().objects.get(username=username)
    message = OutboxMessage.objects.filter(kind="set_password", to__contains=[user.email]).latest(
        "id"
    )
    url = LINK.search(message.body_text).group(0)
    return "/" + url.split("/", 3)[3]


def set_password(client, username: str, password: str) -> None:
    """Follow the emailed link as the person would, and choose a password."""
    link = set_password_link(username)
    response = client.get(link)
    assert response.status_code == 302, response  # Django hides the token in the session
    form_url = response.url
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302, response.content.decode()[:2000]


HEADER = ["姓名", "用户名", "邮箱", "手机", "单位", "角色", "起始日期", "截止日期"]


def workbook(rows, header=HEADER) -> bytes:
    """An .xlsx of ``rows`` under the template's heading row."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def people_rows(n: int, units: list[str], prefix: str = "person") -> list[list]:
    """``n`` valid rows spread over ``units``: staff, and the first of each unit its head."""
    rows = []
    for i in range(1, n + 1):
        unit = units[(i - 1) % len(units)]
        role = "负责人" if i <= len(units) else "经办人"
        rows.append(
            [
                f"人员{i}",
                f"{prefix}{i:03d}",
                f"{prefix}{i:03d}@example.gov.cn",
                f"1380000{i:04d}",
                unit,
                role,
                "2025-12-01",
                "",
            ]
        )
    return rows
