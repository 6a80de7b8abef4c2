"""Security headers on every response, and the client address behind proxies.

Django's SecurityMiddleware already sends X-Content-Type-Options, Referrer-Policy
and (over HTTPS) HSTS, and XFrameOptionsMiddleware sends X-Frame-Options; but
both run after whitenoise has answered for static files, and Django 5.2 has no
Content-Security-Policy. This middleware sits before whitenoise and makes sure
every response, static files and error pages included, carries all of them.
"""

from django.conf import settings


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": settings.CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": settings.SECURE_REFERRER_POLICY or "same-origin",
            "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin",
        }

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.headers.items():
            # A view that needs a different value (none does today) sets its own.
            response.headers.setdefault(name, value)
        return response


def client_ip_address(request) -> str | None:
    """The client's address for django-axes' login throttling.

    Directly on the internet it is REMOTE_ADDR. Behind TRUSTED_PROXY_COUNT
    proxies that each append to X-Forwarded-For, it is the entry the outermost
    trusted proxy added; entries further left were written by the client and
    can be forged, so they are never used.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
