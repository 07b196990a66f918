import ast


def parse_limits(raw: str) -> dict:
    value = ast.literal_eval(raw)
    if not isinstance(value, dict):
        raise ValueError("limits must be a dict literal")
    return {str(k): int(v) for k, v in value.items()}
