class WebhooksController < ApplicationController
  def ping
    hook = current_account.webhooks.verified.find(params[:id])
    response = HTTParty.post(hook.url, body: { event: "ping" }.to_json,
                                       headers: { "Content-Type" => "application/json" })
    render json: { status: response.code }
  end
end
