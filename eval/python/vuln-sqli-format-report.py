import sqlite3


def monthly_report(db_path, customer_id, month):
    conn = sqlite3.connect(db_path)
    query = "SELECT sum(amount) FROM invoices WHERE customer_id = {} AND strftime('%m', issued) = '{}'".format(
        customer_id, month
    )
    total = conn.execute(query).fetchone()[0]
    conn.close()
    return total or 0
