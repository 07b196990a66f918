class WebhooksController < ApplicationController
  def ping
    response = HTTParty.post(params[:url], body: { event: "ping" }.to_json,
                                           headers: { "Content-Type" => "application/json" })
    render json: { status: response.code }
  end
end
