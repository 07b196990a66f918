from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.orm import Session

router = APIRouter()


@router.get("/reports/top-customers")
def top_customers(region: str, limit: int = 10, db: Session = Depends(get_db)):
    stmt = text(f"SELECT customer_id, sum(total) AS spent FROM orders WHERE region = '{region}' GROUP BY 1 ORDER BY 2 DESC LIMIT {limit}")
    return [dict(row._mapping) for row in db.execute(stmt)]
