from flask import Flask, request, render_template

app = Flask(__name__)


@app.get("/receipt")
def receipt():
    order_ref = request.args.get("ref", "")
    note = request.args.get("note", "")
    return render_template("receipt.html", order_ref=order_ref, note=note)
