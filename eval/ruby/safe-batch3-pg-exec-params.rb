require "pg"

class ReportsController < ApplicationController
  def show
    conn = PG.connect(dbname: "reports")
    result = conn.exec_params("SELECT * FROM reports WHERE slug = $1", [params[:slug]])
    render json: result.to_a
  end
end
