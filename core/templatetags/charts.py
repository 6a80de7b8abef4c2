"""`{% chart_figure chart subject chart_id %}`: a year_chart() drawn (core/charts.py)."""

from django import template

from core.charts import chart_html

register = template.Library()


@register.simple_tag
def chart_figure(chart, subject="", chart_id="year-chart"):
    return chart_html(chart, str(subject or ""), chart_id or "year-chart")
