class ReportQuery
  def self.revenue_for(account_id, year)
    sql = Invoice.sanitize_sql_array([
      "SELECT date_trunc('month', issued_at) AS month, sum(total) AS revenue " \
      "FROM invoices WHERE account_id = ? AND extract(year FROM issued_at) = ? GROUP BY 1 ORDER BY 1",
      account_id, year
    ])
    Invoice.find_by_sql(sql)
  end
end
