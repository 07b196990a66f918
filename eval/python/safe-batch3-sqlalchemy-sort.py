from flask import request
from sqlalchemy import desc

from .db import session
from .models import Invoice

SORTABLE = {"created_at": Invoice.created_at, "total": Invoice.total}


def list_invoices():
    column = SORTABLE.get(request.args.get("sort"), Invoice.created_at)
    return session.query(Invoice).order_by(desc(column)).limit(50).all()
