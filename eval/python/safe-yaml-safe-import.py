import yaml
from fastapi import FastAPI, UploadFile

app = FastAPI()


@app.post("/pipelines/import")
async def import_pipeline(file: UploadFile):
    content = await file.read()
    spec = yaml.safe_load(content)
    return {"name": spec["name"], "steps": len(spec.get("steps", []))}
