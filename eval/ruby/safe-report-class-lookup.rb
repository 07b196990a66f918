class ReportsController < ApplicationController
  REPORTS = {
    "sales" => SalesReport,
    "inventory" => InventoryReport,
  }.freeze

  def show
    report_class = REPORTS.fetch(params[:type]) { raise ActionController::RoutingError, "unknown report" }
    @report = report_class.new(current_account, params[:range])
    render @report.template
  end
end
