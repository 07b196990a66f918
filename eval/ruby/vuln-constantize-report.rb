class ReportsController < ApplicationController
  def show
    report_class = "#{params[:type].camelize}Report".constantize
    @report = report_class.new(current_account, params[:range])
    render @report.template
  end
end
