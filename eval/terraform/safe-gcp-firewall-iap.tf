resource "google_compute_firewall" "allow_rdp_iap" {
  name    = "allow-rdp-from-iap"
  network = google_compute_network.corp.name

  allow {
    protocol = "tcp"
    ports    = ["3389"]
  }

  source_ranges = ["35.235.240.0/20"]
  target_tags   = ["windows-jump"]
}
