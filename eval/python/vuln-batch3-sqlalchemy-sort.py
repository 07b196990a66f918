# corgi-expect: python-sqlalchemy-string-clause
from flask import request

from .db import session
from .models import Invoice


def list_invoices():
    column = request.args.get("sort", "created_at")
    return session.query(Invoice).order_by("{} desc".format(column)).limit(50).all()
