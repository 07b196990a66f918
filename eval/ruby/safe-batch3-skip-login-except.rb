class ReportsController < ApplicationController
  skip_before_action :require_login, only: [:index]

  def index
    @reports = Report.published
  end

  def export
    send_data Report.to_csv, filename: "reports.csv"
  end
end
