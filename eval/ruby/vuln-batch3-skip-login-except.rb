# corgi-expect: ruby-skip-auth-filter-except
class ReportsController < ApplicationController
  skip_before_action :require_login, except: [:destroy, :export]

  def index
    @reports = Report.published
  end

  def export
    send_data Report.to_csv, filename: "reports.csv"
  end
end
