from flask import Flask, request

app = Flask(__name__)


@app.post("/sheet/cell")
def compute_cell():
    formula = request.form["formula"]
    variables = {"A1": 3, "A2": 7}
    value = eval(formula, {"__builtins__": {}}, variables)
    return {"value": value}
