"""Django's template backend, each context released once its template is rendered.

A template's context refers to itself (each dict pushed on it keeps the
context: django.template.context.ContextDict), so a rendered page's context,
and with it the view, its rows and facets, was freed only by the cyclic
collector: on a search page most of the ~460 objects it left, which its young
collections promoted and its older ones then walked (replaying the long
tail's search pages at 100,000 papers: collector 0.38-0.43 -> 0.22 ms a page
with the view's `head` cycle broken too, core.views.CachedPageMixin).
Emptying the context's stack once rendered breaks the cycle, and reference
counting frees it at once. On an error the context is left as it is, for the
traceback.
"""

from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates, Template, reraise
from django.template.context import make_context


class ReleasingTemplate(Template):
    def render(self, context=None, request=None):
        context = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            rendered = self.template.render(context)
        except TemplateDoesNotExist as exc:
            reraise(exc, self.backend)
        context.dicts.clear()
        return rendered


class ReleasingTemplates(DjangoTemplates):
    def from_string(self, template_code):
        return ReleasingTemplate(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return ReleasingTemplate(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)
