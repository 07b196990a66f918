# corgi-expect: python-dataflow-sql
from flask import Flask, request

app = Flask(__name__)


@app.route("/reports/export")
def export_report():
    region = request.args.get("region", "eu")
    period = request.args.get("period")
    clause = "region = '" + region + "'"
    if period:
        clause += f" AND period = '{period}'"
    query = "SELECT * FROM sales WHERE {}".format(clause)
    rows = db.cursor().execute(query).fetchall()
    return {"rows": rows}
