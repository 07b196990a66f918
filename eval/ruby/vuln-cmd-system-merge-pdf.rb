class PdfMerger
  def initialize(files, target)
    @files = files
    @target = target
  end

  def call
    system("pdftk #{@files.join(' ')} cat output #{@target}")
  end
end
