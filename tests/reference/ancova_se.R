# The SE of g_ANCOVA (issue #11 item 2): evidencekit's formula beside the one it is cited to.
#
# evidencekit: SE(g) = sqrt((J*SE(b)/S)^2 + g^2/(2N)), g = J*b/S, b the ANCOVA's adjusted
# difference, SE(b) the model's (or the cluster-robust) SE, S the unadjusted pooled SD.
# Borenstein (2009), "Effect sizes for continuous data", in Cooper, Hedges & Valentine
# (eds.), The Handbook of Research Synthesis and Meta-Analysis, 2nd ed., ch. 12, Table 12.3
# (ANCOVA): d = b/S_within, V_d = (n1+n2)/(n1*n2)*(1 - R^2) + d^2/(2*(n1+n2)), with R the
# covariate-outcome correlation (pooled within groups); g = J*d, V_g = J^2*V_d.
# Since g = J*d, J^2*d^2/(2N) = g^2/(2N): the two formulas differ only in the first term,
# (1/n1+1/n2)*(1 - R^2) (Borenstein's large-sample value of Var(b)/S^2) against the fitted
# model's Var(b)/S^2, which also carries the df ratio (N-2)/(N-3) and the covariate
# imbalance term (xbar1-xbar2)^2/SSx_within. This script checks that identity exactly
# and records both SEs on rows_trial.csv and on a 26-pupil trial.
# Run from this directory:  Rscript ancova_se.R > ancova_se.out 2>&1
source("_common.R")
suppressPackageStartupMessages(library(clubSandwich))
versions$clubSandwich <- as.character(packageVersion("clubSandwich"))
out <- list()

J <- function(m) exp(lgamma(m / 2) - 0.5 * log(m / 2) - lgamma((m - 1) / 2))

one <- function(d, label) {
  d$treat <- as.integer(d$arm == "tutored")
  f <- lm(post ~ treat + pre, data = d); cf <- summary(f)$coefficients
  n1 <- sum(d$treat); n2 <- sum(1 - d$treat); N <- n1 + n2
  v1 <- var(d$post[d$treat == 1]); v0 <- var(d$post[d$treat == 0])
  S <- sqrt(((n1 - 1) * v1 + (n2 - 1) * v0) / (N - 2))
  b <- cf["treat", "Estimate"]; se_b <- cf["treat", "Std. Error"]
  j <- J(N - 2); g <- j * b / S; dd <- b / S
  # pooled within-group covariate-outcome correlation
  cx <- function(a) cov(d$pre[d$treat == a], d$post[d$treat == a])
  vx <- function(a) var(d$pre[d$treat == a])
  sxy <- (n1 - 1) * cx(1) + (n2 - 1) * cx(0)
  sxx <- (n1 - 1) * vx(1) + (n2 - 1) * vx(0)
  syy <- (n1 - 1) * v1 + (n2 - 1) * v0
  r_w <- sxy / sqrt(sxx * syy)
  V_d <- (n1 + n2) / (n1 * n2) * (1 - r_w^2) + dd^2 / (2 * N)
  se_borenstein <- sqrt(j^2 * V_d)
  se_evidencekit <- sqrt((j * se_b / S)^2 + g^2 / (2 * N))
  # the exact OLS identity behind the difference
  imbalance <- (mean(d$pre[d$treat == 1]) - mean(d$pre[d$treat == 0]))^2 / sxx
  var_b_exact <- syy * (1 - r_w^2) / (N - 3) * (1 / n1 + 1 / n2 + imbalance)
  cat(label, ": g =", g, " SE evidencekit =", se_evidencekit, " SE Borenstein =",
      se_borenstein, " ratio =", se_evidencekit / se_borenstein,
      " Var(b) identity error =", var_b_exact - se_b^2, "\n")
  list(n_t = n1, n_c = n2, b = b, se_b = se_b, s_pooled = S, J = j, g = g, r_within = r_w,
       se_evidencekit = se_evidencekit, se_borenstein = se_borenstein,
       var_b_identity = var_b_exact, imbalance = imbalance)
}

d0 <- read.csv("rows_trial.csv", stringsAsFactors = FALSE, na.strings = "")
db <- d0[!is.na(d0$post) & !is.na(d0$arm) & !is.na(d0$pre), ]
out$rows_trial <- one(db, "rows_trial.csv")
out$rows_trial$source <- "rows_trial.csv complete on post, arm, pre: lm(post ~ treat + pre)"

# 26 pupils (13 + 13): where the g^2/(2N) term matters (issue #11, 'What was seen').
set.seed(11)
small <- data.frame(arm = rep(c("tutored", "control"), each = 13), pre = round(rnorm(26, 50, 10), 1))
small$post <- round(5 + 0.9 * small$pre + ifelse(small$arm == "tutored", 4, 0) + rnorm(26, 0, 6), 1)
write.csv(small, "ancova_small.csv", row.names = FALSE)
small <- read.csv("ancova_small.csv", stringsAsFactors = FALSE)
out$small <- one(small, "ancova_small.csv")
out$small$source <- "ancova_small.csv (26 pupils, written by this script): lm(post ~ treat + pre)"

# Cluster-robust: rows_trial.csv by school, CR2 (clubSandwich) SE of b in the same formula.
db$treat <- as.integer(db$arm == "tutored")
fc <- lm(post ~ treat + pre, data = db)
ct <- coef_test(fc, vcov = "CR2", cluster = db$school, test = "Satterthwaite")
se_cr2 <- ct$SE[2]; df_cr2 <- ct$df_Satt[2]
r <- out$rows_trial
se_head <- sqrt((r$J * se_cr2 / r$s_pooled)^2 + r$g^2 / (2 * (r$n_t + r$n_c)))
half <- qt(0.975, df_cr2) * se_head
out$rows_trial_cr2 <- list(
  source = "rows_trial.csv by school: coef_test(lm(post ~ treat + pre), 'CR2', 'Satterthwaite'); headline SE = sqrt((J*SE_CR2/S)^2 + g^2/(2N)), CI = g +- t(df_Satt)*SE",
  se_b_cr2 = se_cr2, df = df_cr2, se_head = se_head, ci = c(r$g - half, r$g + half))
str(out$rows_trial_cr2)

write_golden(out, "ancova_se")
