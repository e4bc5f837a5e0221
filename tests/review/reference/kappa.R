# Golden values for evidencekit.review.agreement.cohen_kappa: Cohen's (unweighted) kappa of
# two raters from R's psych::cohen.kappa (Debian package r-cran-psych).
# Run: Rscript tests/review/reference/kappa.R > tests/review/reference/kappa.json
suppressMessages(library(psych))
cases <- list(
  wikipedia = list(a = c(rep("yes", 25), rep("no", 25)),
                   b = c(rep("yes", 20), rep("no", 5), rep("yes", 10), rep("no", 15))),
  ten = list(a = c(rep("validated", 6), rep("rejected", 4)),
             b = c(rep("validated", 4), rep("rejected", 2), "validated", rep("rejected", 3))),
  skewed = list(a = c(rep("validated", 17), rep("rejected", 3)),
                b = c(rep("validated", 15), "rejected", "rejected", "validated", "rejected",
                      "rejected"))
)
out <- c()
for (name in names(cases)) {
  x <- cases[[name]]
  k <- cohen.kappa(data.frame(a = x$a, b = x$b))$kappa
  out <- c(out, sprintf('"%s": {"a": [%s], "b": [%s], "kappa": %.15g}', name,
                        paste0('"', x$a, '"', collapse = ", "),
                        paste0('"', x$b, '"', collapse = ", "), k))
}
cat("{", paste(out, collapse = ",\n "), "}\n", sep = "")
