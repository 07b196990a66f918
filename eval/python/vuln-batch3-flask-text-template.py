# corgi-expect: python-flask-template-unescaped-extension
from flask import Flask, request, render_template

app = Flask(__name__)


@app.get("/receipt")
def receipt():
    order_ref = request.args.get("ref", "")
    note = request.args.get("note", "")
    # served as text/html by default: the .tmpl extension turns autoescaping off
    return render_template("receipt.tmpl", order_ref=order_ref, note=note)
