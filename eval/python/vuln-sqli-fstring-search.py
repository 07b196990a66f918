from flask import Blueprint, request, jsonify
from .db import get_connection

bp = Blueprint("products", __name__)


@bp.route("/products/search")
def search_products():
    term = request.args.get("q", "")
    conn = get_connection()
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, name, price FROM products WHERE name ILIKE '%{term}%' ORDER BY name")
        rows = cur.fetchall()
    return jsonify([{"id": r[0], "name": r[1], "price": float(r[2])} for r in rows])
