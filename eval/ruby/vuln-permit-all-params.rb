class Admin::SettingsController < Admin::BaseController
  def update
    @account = current_account
    @account.update(params.require(:account).permit!)
    redirect_to admin_settings_path, notice: "Saved"
  end
end
