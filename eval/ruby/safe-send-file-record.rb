class ExportsController < ApplicationController
  def show
    export = current_account.exports.find(params[:id])
    send_file Rails.root.join("storage", "exports", export.stored_name), disposition: "attachment"
  end
end
