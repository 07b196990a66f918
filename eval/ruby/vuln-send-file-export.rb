class ExportsController < ApplicationController
  def show
    path = Rails.root.join("storage", "exports", params[:filename])
    send_file path, disposition: "attachment"
  end
end
