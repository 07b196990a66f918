from django.utils.html import format_html


def status_badge(ticket):
    return format_html('<span class="badge">{}</span>', ticket.status_label)
