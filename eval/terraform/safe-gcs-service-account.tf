resource "google_storage_bucket_iam_member" "reports_reader" {
  bucket = google_storage_bucket.reports.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.reporting.email}"
}
