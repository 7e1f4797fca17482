import sys; from pathlib import Path; sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import common, bench_files as bf
tmp = common.tempdir("video-pair-")
site = bf.make_site(tmp, video=True)
with common.Servers() as ss:
    run = {bf.SITESEER: ss.start(bf.siteseer(site, tmp, True)), bf.NGINX: ss.start(bf.nginx_server(site, tmp))}
    for n in run: common.wrk(run[n].base + bf.VIDEO, connections=8, duration=1, timeout="30s")
    for label, headers in (("no Range", None), ("Range: bytes=0-", {"Range": "bytes=0-"})):
        s = common.alternate(list(run), 7, lambda n, r: common.measure_with_cpu(run[n], run[n].base + bf.VIDEO, connections=8, duration=4, headers=headers, timeout="30s"))
        print(label, {n: [round(x["mb_s"]) for x in s[n]] for n in s},
              "ratio", round(common.paired_ratio(s, bf.SITESEER, bf.NGINX, "mb_s"), 2),
              "CPU s/GB", {n: round(common.median(x["cpu_s_per_gb"] for x in s[n]), 2) for n in s}, flush=True)
