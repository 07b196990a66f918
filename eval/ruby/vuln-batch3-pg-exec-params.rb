# corgi-expect: ruby-dataflow-sql
require "pg"

class ReportsController < ApplicationController
  def show
    conn = PG.connect(dbname: "reports")
    query = "SELECT * FROM reports WHERE owner_id = " + params[:owner]
    result = conn.exec(query)
    render json: result.to_a
  end
end
