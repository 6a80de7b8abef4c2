import pytest


@pytest.fixture
def api(client):
    """GET an API URL; the decoded JSON of a 200."""

    def get(url, params=None, status=200, **headers):
        response = client.get(url, params or {}, headers=headers)
        assert response.status_code == status, response.content[:500]
        if status == 200:
            assert response["Content-Type"] == "application/json"
        return response.json() if status != 304 else None

    return get


def walk(api, url, params=None):
    """Every result of a list, following `next`; and the number of pages."""
    answer = api(url, params)
    results, pages = answer["results"], 1
    while answer["next"]:
        answer = api(answer["next"])
        results += answer["results"]
        pages += 1
    return results, pages
