class ReportQuery
  def self.revenue_for(account_id, year)
    Invoice.find_by_sql(
      "SELECT date_trunc('month', issued_at) AS month, sum(total) AS revenue " \
      "FROM invoices WHERE account_id = #{account_id} AND extract(year FROM issued_at) = #{year} " \
      "GROUP BY 1 ORDER BY 1"
    )
  end
end
