from sqlalchemy import text


def monthly_report(session, customer_id, month):
    stmt = text(
        "SELECT sum(amount) FROM invoices "
        "WHERE customer_id = :customer AND date_part('month', issued) = :month"
    )
    total = session.execute(stmt, {"customer": customer_id, "month": month}).scalar()
    return total or 0
