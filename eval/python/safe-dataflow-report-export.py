from flask import Flask, request

app = Flask(__name__)


@app.route("/reports/export")
def export_report():
    region = request.args.get("region", "eu")
    limit = int(request.args.get("limit", "100"))
    rows = db.cursor().execute(
        "SELECT * FROM sales WHERE region = %s LIMIT %s", (region, limit)
    ).fetchall()
    return {"rows": rows}
