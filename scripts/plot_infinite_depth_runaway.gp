# The infinite-depth runaway of docs/EXPERIMENTS.md: sigma_1..6 and the errors of two runs
# (trajectory CSVs of riemopt complete). gnuplot -e "A='a.csv'; B='b.csv'; OUT='f.png'" this-file
set terminal pngcairo size 900,420 font ",10"
set output OUT
set datafile separator ","
set multiplot layout 1,2
set logscale y
set xlabel "flow time t"
set ylabel "singular value"
set title "infinite depth, start seed 7: sigma_1..sigma_6 (RKC rtol 1e-4 solid, 1e-6 dashed)"
set key left top
set xrange [90:*]
plot for [k=1:6] A using 1:(column(6+k)) with lines lw 2 lc k title sprintf("sigma_%d", k), \
     for [k=1:6] B using 1:(column(6+k)) with lines dt 2 lw 1 lc k notitle
set title "train and test MSE"
set ylabel "MSE"
plot A using 1:4 with lines lw 2 lc rgb "black" title "train, 1e-4", \
     A using 1:5 with lines lw 2 lc rgb "red" title "test, 1e-4", \
     B using 1:4 with lines dt 2 lc rgb "black" title "train, 1e-6", \
     B using 1:5 with lines dt 2 lc rgb "red" title "test, 1e-6"
unset multiplot
