# corgi-expect: python-format-html-preformatted
from django.utils.html import format_html


def status_badge(ticket):
    return format_html(f'<span class="badge">{ticket.status_label}</span>')
